{% autoescape off %}// Asa field app service worker (served at /sw.js so its scope is the whole site).
// Workbox from our own static files (workbox-sw + its modules, pinned from npm; no CDN).
importScripts("{{ workbox_sw }}");
workbox.setConfig({ modulePathPrefix: "{{ workbox_prefix }}", debug: false });

// The app shell: styles, fonts, scripts, icons, each with its content hash as revision.
workbox.precaching.precacheAndRoute({{ precache }});

// Only a real, signed-in page is worth keeping: never a redirect to the login page.
const onlyPages = {
  cacheWillUpdate: async ({ response }) =>
    response && response.status === 200 && !response.redirected ? response : null,
};

const APP_URL = "{{ app_url }}";
const fieldApp = new workbox.strategies.NetworkFirst({
  cacheName: "asa-field-app",
  networkTimeoutSeconds: 5,
  plugins: [onlyPages],
  // Pages vary by cookie and language; offline, the one copy kept is the one to show.
  matchOptions: { ignoreVary: true, ignoreSearch: true },
});

workbox.routing.registerRoute(
  ({ request, url }) => request.mode === "navigate" && url.pathname === APP_URL,
  fieldApp,
);

// Any other page with no signal: the field app, which holds today's work and the forms.
workbox.routing.registerRoute(
  ({ request }) => request.mode === "navigate",
  async ({ request }) => {
    try {
      return await fetch(request);
    } catch (error) {
      const cached = await caches.match(APP_URL, { ignoreSearch: true, ignoreVary: true });
      return cached || Response.error();
    }
  },
);

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
{% endautoescape %}
