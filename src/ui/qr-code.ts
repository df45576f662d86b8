import { encode } from 'uqr'

const SVG_NS = 'http://www.w3.org/2000/svg'
/** The light margin a reader needs around the code, in modules (the standard's four). */
const QUIET_ZONE_MODULES = 4

/** A QR code of `text` as one SVG path over a square of `size` modules, quiet zone included. */
export function qrCodePath (text: string): { size: number, path: string } {
  // ECC level M: survives a smudged screen, and still holds the longest contact card.
  const { size, data } = encode(text, { ecc: 'M', border: QUIET_ZONE_MODULES })
  const path = data.flatMap((row, y) => row.map((dark, x) => dark ? `M${x} ${y}h1v1h-1z` : '')).join('')
  return { size, path }
}

/**
 * The QR code of `text`, drawn in the page (no remote code, no image from
 * elsewhere): dark modules on a light square, in dark mode too, since
 * readers want dark on light.
 */
export function qrCodeSvg (text: string, label: string): SVGSVGElement {
  const { size, path } = qrCodePath(text)
  const svg = document.createElementNS(SVG_NS, 'svg')
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`)
  svg.setAttribute('role', 'img')
  svg.setAttribute('aria-label', label)
  svg.setAttribute('shape-rendering', 'crispEdges')
  const light = document.createElementNS(SVG_NS, 'rect')
  light.setAttribute('width', String(size))
  light.setAttribute('height', String(size))
  light.setAttribute('fill', '#fff')
  const dark = document.createElementNS(SVG_NS, 'path')
  dark.setAttribute('d', path)
  dark.setAttribute('fill', '#000')
  svg.append(light, dark)
  return svg
}
