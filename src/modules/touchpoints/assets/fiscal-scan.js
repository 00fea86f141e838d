/* global document, window, Worker */
// The account page's camera scan of a till receipt's QR code. Only where the browser can open a
// camera is the button shown; pressed, it opens the rear camera in a small preview and starts the
// QR reader (a worker whose file is fetched only now), which reads a frame at a time. The first
// code that looks like a fiscal receipt's fills the field and sends the form, as typing it would:
// the server checks it, refuses a duplicate and earns once it is verified. The camera stops after
// a read, on "Stop", and when the page is hidden; a refused or missing camera is said in words,
// and the text field stays for typing or pasting.
(function () {
  var root = document.getElementById('qr-scan');
  var field = document.getElementById('f-qr');
  var media = navigator.mediaDevices;
  if (!root || !field || !media || typeof media.getUserMedia !== 'function' || typeof Worker !== 'function') return;
  var start = document.getElementById('qr-scan-start');
  var box = document.getElementById('qr-scan-box');
  var video = document.getElementById('qr-scan-video');
  var stop = document.getElementById('qr-scan-stop');
  var status = document.getElementById('qr-scan-status');
  var canvas = document.createElement('canvas');
  var context = canvas.getContext('2d', { willReadFrequently: true });
  var stream = null;
  var reader = null;
  var timer = 0;
  // Each press is a new attempt: a camera that opens after "Stop" was pressed is closed at once.
  var attempt = 0;
  start.hidden = false;

  var say = function (name) { status.textContent = root.getAttribute('data-' + name) || ''; };
  // t=20260301T1000&s=1495.00&fn=…&i=…&fp=…&n=1, in any order, or a whole URL with that query.
  var fiscal = function (text) {
    var query = text.indexOf('?') >= 0 ? text.slice(text.indexOf('?') + 1) : text;
    return ['t=\\d{8}T\\d{4}', 's=\\d', 'fn=\\d', 'i=\\d', 'fp=\\d'].every(function (part) { return new RegExp('(^|&)' + part).test(query); });
  };

  function finish() {
    attempt++;
    clearTimeout(timer);
    timer = 0;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    if (reader) reader.terminate();
    reader = null;
    video.srcObject = null;
    box.hidden = true;
    start.hidden = false;
  }

  function next(delay) {
    timer = setTimeout(function () {
      timer = 0;
      if (!stream || !reader) return;
      var width = video.videoWidth;
      var height = video.videoHeight;
      if (!(width > 0 && height > 0)) return next(100);
      // A QR code fills enough of the frame at 800 pixels across; more only costs time.
      var scale = Math.min(1, 800 / Math.max(width, height));
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var pixels = context.getImageData(0, 0, canvas.width, canvas.height).data.buffer;
      reader.postMessage({ pixels: pixels, width: canvas.width, height: canvas.height }, [pixels]);
    }, delay);
  }

  function read(event) {
    var text = event.data && event.data.text;
    if (typeof text === 'string' && fiscal(text.trim())) {
      finish();
      field.value = text.trim();
      say('read');
      if (typeof field.form.requestSubmit === 'function') field.form.requestSubmit();
      else field.form.submit();
      return;
    }
    if (typeof text === 'string' && text !== '') say('other');
    next(150);
  }

  start.addEventListener('click', function () {
    var mine = ++attempt;
    say('starting');
    media.getUserMedia({ video: { facingMode: 'environment' }, audio: false }).then(
      function (opened) {
        if (mine !== attempt) {
          opened.getTracks().forEach(function (track) { track.stop(); });
          return;
        }
        stream = opened;
        try {
          reader = new Worker(root.getAttribute('data-reader'));
        } catch {
          finish();
          say('broken');
          return;
        }
        reader.onmessage = read;
        reader.onerror = function () { finish(); say('broken'); };
        video.srcObject = opened;
        box.hidden = false;
        start.hidden = true;
        stop.focus();
        var playing = video.play();
        if (playing && typeof playing.catch === 'function') playing.catch(function () {});
        say('looking');
        next(0);
      },
      function (error) {
        if (mine !== attempt) return;
        var name = error && error.name;
        say(name === 'NotAllowedError' || name === 'SecurityError' ? 'refused' : name === 'NotFoundError' || name === 'OverconstrainedError' ? 'absent' : 'failed');
        field.focus();
      },
    );
  });
  stop.addEventListener('click', function () {
    finish();
    status.textContent = '';
    start.focus();
  });
  // Hidden (another tab, the phone locked, the page left): the camera goes off, even one still opening.
  document.addEventListener('visibilitychange', function () { if (document.hidden) finish(); });
  window.addEventListener('pagehide', finish);
})();
