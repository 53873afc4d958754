declare module 'std' {
  export function exit(code: number): never;
  export const out: { puts(s: string): void; flush(): void };
}
