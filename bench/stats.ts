/** Small statistics for benchmark figures. */
export function percentile (values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!
}

export const median = (values: number[]): number => percentile(values, 0.5)
