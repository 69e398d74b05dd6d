// comlink ships its Node adapter without types.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  const nodeEndpoint: (port: unknown) => import('comlink').Endpoint;
  export default nodeEndpoint;
}
