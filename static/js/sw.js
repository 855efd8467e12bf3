/* The service worker (core/pwa.py serves it at /sw.js): keep what people need on the road.
   Network first; when the network is gone, the last copy. Only these pages are kept, and only
   after they were opened online: a handler's day (today's tasks and itineraries), a guest's
   itinerary, a provider's inbox and orders of the day. */
"use strict";
var CACHE = "reception-offline-v2";
var OFFLINE_PAGES = [/^\/$/, /^\/reception\/today\/$/, /^\/itinerary\/[^/]+\/$/, /^\/provider\/$/, /^\/provider\/today\/$/];

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  var page = request.mode === "navigate" && OFFLINE_PAGES.some(function (p) { return p.test(url.pathname); });
  var asset = url.pathname.indexOf("/static/") === 0;
  if (!page && !asset) { return; }
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (found) { return found || Response.error(); });
  }));
});
