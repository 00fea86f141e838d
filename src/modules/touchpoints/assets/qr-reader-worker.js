/* global self */
// The QR reader's worker (served after jsQR's own build, which defines self.jsQR): the account
// page sends it camera frames (RGBA pixels) one at a time and gets back the text of the QR code
// found in each, or null, with the pixels' buffer for the next frame.
self.onmessage = function (event) {
  var frame = event.data;
  var code = self.jsQR(new Uint8ClampedArray(frame.pixels), frame.width, frame.height, { inversionAttempts: 'dontInvert' });
  self.postMessage({ text: code ? code.data : null, pixels: frame.pixels }, [frame.pixels]);
};
