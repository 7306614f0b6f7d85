/**
 * The map's points on WebGL 1: one draw call of gl.POINTS, positions and categories in two buffers
 * uploaded once, the camera and palette as uniforms — so a pan or zoom at a million points is one
 * draw, not a million. Written here rather than taken from regl-scatterplot: regl compiles its
 * shaders' JavaScript with `Function`, which the app's Content-Security-Policy (no 'unsafe-eval')
 * rightly refuses.
 */
import { MAP_BACKGROUND, POINT_ALPHA, rgb } from '../../mapRaster'
import type { PointsRenderer } from './pointsRenderer'

/** Palette entries the shader holds; a category beyond the last is drawn in the last colour. */
const MAX_COLOURS = 32

const VERTEX = `
attribute vec2 a_pos;
attribute float a_cat;
uniform vec2 u_centre;
uniform float u_zoom;
uniform float u_size;
uniform vec3 u_palette[${MAX_COLOURS}];
varying vec3 v_colour;
void main() {
  gl_Position = vec4((a_pos - u_centre) * u_zoom, 0.0, 1.0);
  gl_PointSize = u_size;
  v_colour = u_palette[int(min(a_cat, ${MAX_COLOURS - 1}.0))];
}`

const FRAGMENT = `
precision mediump float;
varying vec3 v_colour;
void main() {
  vec2 d = gl_PointCoord - 0.5;
  if (dot(d, d) > 0.25) discard;
  gl_FragColor = vec4(v_colour, ${POINT_ALPHA.toFixed(3)});
}`

/** A CSS hex colour as WebGL's 0..1 channels. */
const unit = (hex: string): [number, number, number] => rgb(hex).map((v) => v / 255) as [number, number, number]

function compile(gl: WebGLRenderingContext, type: number, source: string): WebGLShader {
  const shader = gl.createShader(type) as WebGLShader
  gl.shaderSource(shader, source)
  gl.compileShader(shader)
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(`map shader: ${gl.getShaderInfoLog(shader)}`)
  return shader
}

/** null where the browser has no WebGL (the map then says so). */
export function createPointsGl(canvas: HTMLCanvasElement): PointsRenderer | null {
  const gl = canvas.getContext('webgl', { antialias: false, preserveDrawingBuffer: false })
  if (!gl) return null
  const program = gl.createProgram() as WebGLProgram
  gl.attachShader(program, compile(gl, gl.VERTEX_SHADER, VERTEX))
  gl.attachShader(program, compile(gl, gl.FRAGMENT_SHADER, FRAGMENT))
  gl.linkProgram(program)
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(`map shaders: ${gl.getProgramInfoLog(program)}`)
  const at = (name: string): WebGLUniformLocation | null => gl.getUniformLocation(program, name)
  const positions = gl.createBuffer()
  const categories = gl.createBuffer()
  const aPos = gl.getAttribLocation(program, 'a_pos')
  const aCat = gl.getAttribLocation(program, 'a_cat')
  let count = 0

  return {
    setPoints(x, y, category) {
      const xy = new Float32Array(x.length * 2)
      for (let i = 0; i < x.length; i++) {
        xy[2 * i] = x[i]
        xy[2 * i + 1] = y[i]
      }
      gl.bindBuffer(gl.ARRAY_BUFFER, positions)
      gl.bufferData(gl.ARRAY_BUFFER, xy, gl.STATIC_DRAW)
      gl.bindBuffer(gl.ARRAY_BUFFER, categories)
      gl.bufferData(gl.ARRAY_BUFFER, category, gl.STATIC_DRAW)
      count = x.length
    },
    setPalette(colours) {
      gl.useProgram(program)
      const flat = new Float32Array(MAX_COLOURS * 3)
      for (let i = 0; i < MAX_COLOURS; i++) flat.set(unit(colours[Math.min(i, colours.length - 1)] ?? '#888888'), i * 3)
      gl.uniform3fv(at('u_palette'), flat)
    },
    draw(cam, side, pixelRatio, pointSize) {
      const size = Math.round(side * pixelRatio)
      if (canvas.width !== size) canvas.width = canvas.height = size
      gl.viewport(0, 0, size, size)
      gl.clearColor(...unit(MAP_BACKGROUND), 1)
      gl.clear(gl.COLOR_BUFFER_BIT)
      gl.enable(gl.BLEND)
      gl.blendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA)
      gl.useProgram(program)
      gl.uniform2f(at('u_centre'), cam.cx, cam.cy)
      gl.uniform1f(at('u_zoom'), cam.zoom)
      gl.uniform1f(at('u_size'), pointSize * pixelRatio)
      gl.bindBuffer(gl.ARRAY_BUFFER, positions)
      gl.enableVertexAttribArray(aPos)
      gl.vertexAttribPointer(aPos, 2, gl.FLOAT, false, 0, 0)
      gl.bindBuffer(gl.ARRAY_BUFFER, categories)
      gl.enableVertexAttribArray(aCat)
      gl.vertexAttribPointer(aCat, 1, gl.FLOAT, false, 0, 0)
      gl.drawArrays(gl.POINTS, 0, count)
    },
    destroy() {
      gl.deleteBuffer(positions)
      gl.deleteBuffer(categories)
      gl.deleteProgram(program)
    }
  }
}
