// Where the static data ends: TypeScript's arena starts allocating here.
export function heap_base(): usize {
  return __heap_base;
}
