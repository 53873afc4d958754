// The benchmarks' pause (for a guest or a page to get on with its work meanwhile).
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
