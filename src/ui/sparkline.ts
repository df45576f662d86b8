/** Draws `values` as a small line chart in `canvas`; nothing when there are fewer than two. */
export function drawSparkline (canvas: HTMLCanvasElement, values: number[]): void {
  const ctx = canvas.getContext('2d')
  if (ctx == null) return
  const { width, height } = canvas
  ctx.clearRect(0, 0, width, height)
  if (values.length < 2) return
  const max = Math.max(...values)
  const min = Math.min(...values)
  const span = max - min || 1
  ctx.strokeStyle = getComputedStyle(canvas).color
  ctx.lineWidth = 1.5
  ctx.beginPath()
  values.forEach((value, i) => {
    const x = (i / (values.length - 1)) * (width - 2) + 1
    const y = height - 2 - ((value - min) / span) * (height - 4)
    if (i === 0) ctx.moveTo(x, y)
    else ctx.lineTo(x, y)
  })
  ctx.stroke()
}
