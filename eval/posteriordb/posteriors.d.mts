export const POSTERIORS: Record<string, { posterior: string; data: string[]; targetAccept?: number }>;
