/* Talking to the service worker: registration, and questions answered over a MessageChannel. */

/** Register the worker at `url` (from the page); without one every page still works online. */
export function registerServiceWorker(url) {
  if (!url || !('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register(url, { updateViaCache: 'none' }).catch(() => {
    // no offline support: every page still works online
  });
}

/** The active worker, or a rejection after `timeoutMs`. */
export function activeWorker(timeoutMs) {
  if (!('serviceWorker' in navigator)) return Promise.reject(new Error('no service worker'));
  const ready = navigator.serviceWorker.ready.then((registration) => registration.active);
  const late = new Promise((resolve, reject) => {
    window.setTimeout(() => reject(new Error('service worker not ready')), timeoutMs);
  });
  return Promise.race([ready, late]);
}

/** Send `message`; progress replies go to `onProgress`, the last reply resolves. */
export function ask(worker, message, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => {
      const data = event.data || {};
      if (data.type === 'error') reject(new Error(data.message));
      else if (data.type === 'progress') onProgress(data);
      else resolve(data);
    };
    worker.postMessage(message, [channel.port2]);
  });
}
