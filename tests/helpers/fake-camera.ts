import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bwipjs from 'bwip-js';

/**
 * A camera for Chromium that films a QR code: a Y4M video (what Chromium's fake capture device
 * plays, `--use-file-for-fake-video-capture`) of a few 640×480 frames, each the QR code of
 * `text` drawn from bwip-js's module matrix, black on white with its quiet zone, in the middle
 * of a white frame. I420: the Y plane carries the picture (16 black, 235 white, video levels),
 * the U and V planes are neutral grey (128).
 */
export const FRAME = { width: 640, height: 480 } as const;

export function qrFrameLuma(text: string, modulePixels = 8): Buffer {
  const [code] = bwipjs.raw({ bcid: 'qrcode', text }) as unknown as Array<{ pixs: number[]; pixx: number; pixy: number }>;
  if (!code) throw new Error('bwip-js drew no QR code');
  const quiet = 4;
  const side = (code.pixx + 2 * quiet) * modulePixels;
  if (side > FRAME.height) throw new Error(`the QR code of ${text.length} characters does not fit the frame at ${modulePixels} pixels a module`);
  const luma = Buffer.alloc(FRAME.width * FRAME.height, 235);
  const left = (FRAME.width - code.pixx * modulePixels) >> 1;
  const top = (FRAME.height - code.pixy * modulePixels) >> 1;
  for (let y = 0; y < code.pixy; y++) {
    for (let x = 0; x < code.pixx; x++) {
      if (!code.pixs[y * code.pixx + x]) continue;
      for (let dy = 0; dy < modulePixels; dy++) luma.fill(16, (top + y * modulePixels + dy) * FRAME.width + left + x * modulePixels, (top + y * modulePixels + dy) * FRAME.width + left + (x + 1) * modulePixels);
    }
  }
  return luma;
}

/** Writes a Y4M of `frames` frames of the QR code of `text` (null: a white page, no code) to a temporary file; answers its path. */
export function qrVideo(text: string | null, frames = 5): string {
  const luma = text === null ? Buffer.alloc(FRAME.width * FRAME.height, 235) : qrFrameLuma(text);
  const chroma = Buffer.alloc((FRAME.width / 2) * (FRAME.height / 2) * 2, 128);
  const header = Buffer.from(`YUV4MPEG2 W${FRAME.width} H${FRAME.height} F30:1 Ip A1:1 C420jpeg\n`);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'patron-camera-')), 'camera.y4m');
  fs.writeFileSync(file, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
  return file;
}

/**
 * Chromium's switches for a camera that films `file`. `granted`: every page may use it without
 * asking; otherwise a page gets it only where the test grants the permission (context.grantPermissions)
 * and is refused elsewhere, as a person who said no.
 */
export const fakeCameraArgs = (file: string, { granted = true }: { granted?: boolean } = {}) => [
  ...(granted ? ['--use-fake-ui-for-media-stream'] : []),
  '--use-fake-device-for-media-stream',
  `--use-file-for-fake-video-capture=${file}`,
];
