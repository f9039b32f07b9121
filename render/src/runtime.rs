//! The in-engine app runtime: the JavaScript that every bundle carries between `prism.js` and
//! the app's modules.
//!
//! It is written as plain ES2020 in `render/js/` (one file per job) and joined here inside one
//! function scope, so its helpers are private and only the names the protocol needs become
//! globals:
//!
//! - `registry.js`: `__bext_define`, lazy `require` with cycles, `__bext_export` (live
//!   getters), `__bext_default`, `__bext_compile_error`, and the built-in module ids
//!   (`bext/server` and `bext/realtime` here; `react`, `react/jsx-runtime`, `bext/jsx-runtime` from
//!   `__prism.modules`).
//! - `url.js`: `URL` / `URLSearchParams`, installed only where the engine has none.
//! - `blob.js`: `Blob`, `File` and `FormData` (multipart bodies written and parsed as text).
//! - `fetch.js`: `Headers`, `Request`, `Response`, and `fetch`, which leaves the engine as a
//!   `fetch` record and settles when Rust answers.
//! - `server.js`: `bext/server` (`notFound`, `redirect`, `permanentRedirect`, `cookies`,
//!   `headers`, `noStore`) and `bext/realtime` (`publish`: the events ride out on the
//!   render's answer as `x-bext-publish` fields, which the server takes off and publishes).
//! - `next.js`: `next/navigation`, `next/headers`, `next/link`, `next/server`,
//!   `next/dynamic` and `next/script` as Next.js serves them on the server, on top of
//!   `bext/server` and the React stand-in.
//! - `image.js`: `next/image` (`<Image>`'s `<img>` with its `/_next/image` srcSet,
//!   `getImageProps`), next.config's `images` (`__bext_images`) and static imports' URLs
//!   (`__bext_media`).
//! - `font.js`: `next/font`: the objects the linker's evaluated loader calls become
//!   (`__bext_font`), which link their stylesheet and preload their files when a page uses
//!   them.
//! - `styles.js`: the stylesheets each route module's imports reach (`__bext_styles`),
//!   linked into the `<head>` of the pages rendered with that module.
//! - `client.js`: client components' payload and scripts at the end of a page's `<body>`
//!   (`__bext_client`: which browser chunks each `"use client"` module needs).
//! - `path.js`: Node's `path` (POSIX), with `process.cwd()` the app's root.
//! - `metadata.js`: `metadata` / `generateMetadata` merged into `<head>` tags.
//! - `metadata_social.js`: Open Graph and Twitter tags, with the image files of the page's
//!   folders (`opengraph-image.*`, `twitter-image.*`) merged in as Next merges them.
//! - `handler.js`: route handlers (`GET`, `POST`, … exports; 405; HEAD through GET).
//! - `middleware.js`: `middleware.ts` / `proxy.ts` run as a render of its own before
//!   routing, answering with Next's `x-middleware-*` markers.
//! - `metadata_routes.js`: `robots.ts`, `sitemap.ts`, `manifest.ts` written in their
//!   formats, and the icon `<link>`s every page's head gets.
//! - `prerender.js`: every page route's `generateStaticParams`, listed for the server to
//!   pre-render at start (route `u32::MAX - 1`).
//! - `config.js`: next.config evaluated once per load (`__bext_next_config`), with
//!   middleware's `config.matcher`.
//! - `console.js`: `console.*` as `log` records the server writes to its log with the
//!   render's URL, bounded per render.
//! - `encoding.js`: `TextEncoder`/`TextDecoder`, `atob`/`btoa`, `structuredClone`,
//!   `AbortController`/`AbortSignal` and `performance.now`, where the engine has none.
//! - `crypto.js`: `crypto.getRandomValues`/`randomUUID` (ChaCha20 keyed by 32 bytes from the
//!   OS per engine) and `crypto.subtle.digest` (SHA-1/256/384/512) where the engine has none.
//! - `buffer.js`: Node's `Buffer` (a Uint8Array subclass, every Node encoding), global and
//!   as `buffer`.
//! - `events.js`: `EventEmitter` (`events`).
//! - `util.js`: `util.format` / `util.inspect` as Node prints values (console.js uses them),
//!   promisify, callbackify, inherits, deprecate, isDeepStrictEqual, `types`.
//! - `node_crypto.js`: Node's `crypto` (createHash with MD5 and the SHA family, createHmac,
//!   randomBytes, randomInt, timingSafeEqual) over crypto.js's digests and keystream.
//! - `node_url.js`: `url` (fileURLToPath, pathToFileURL, legacy parse/format/resolve),
//!   `querystring`, `string_decoder`, and `os`'s EOL and platform.
//! - `fs.js`: `fs` and `fs/promises`, read-only, over the snapshot of the app's files the
//!   bundle carries (`crate::files`).
//! - `node.js`: the Node built-in ids `registry.js` serves, and the global `Buffer`.
//! - `timers.js`: `setTimeout`/`setInterval`/`setImmediate` inside a render, as `timer`
//!   records Rust waits out on the shard's executor.
//! - `locale.js`: exact en-US `toLocaleString` (numbers, dates) and ICU root `localeCompare`
//!   (ASCII and accented Latin) where the engine has no
//!   `Intl` (QuickJS), and a clear error for other locales or options there.
//! - `request.js`: the request as app code sees it (headers, cookies, searchParams, the page
//!   and loader arguments), built lazily; reading it makes the render dynamic.
//! - `app.js`: `__bext_routes`, `__bext_in` / `__bext_out` / `__bext_configure` and the
//!   render state machine; it installs the globals, so it comes last. The protocol itself is
//!   documented in [`crate::renderer`].

/// The app runtime, evaluated once per engine right after `PRISM_RUNTIME_JS`.
pub const APP_RUNTIME_JS: &str = concat!(
    "(function () {\n\"use strict\";\n",
    include_str!("../js/registry.js"),
    include_str!("../js/url.js"),
    include_str!("../js/blob.js"),
    include_str!("../js/fetch.js"),
    include_str!("../js/server.js"),
    include_str!("../js/site_path.js"),
    include_str!("../js/next.js"),
    include_str!("../js/image_props.js"),
    include_str!("../js/image.js"),
    include_str!("../js/font.js"),
    include_str!("../js/styles.js"),
    include_str!("../js/client.js"),
    include_str!("../js/path.js"),
    include_str!("../js/metadata.js"),
    include_str!("../js/metadata_social.js"),
    include_str!("../js/handler.js"),
    include_str!("../js/middleware.js"),
    include_str!("../js/metadata_routes.js"),
    include_str!("../js/prerender.js"),
    include_str!("../js/config.js"),
    include_str!("../js/request.js"),
    include_str!("../js/locale.js"),
    include_str!("../js/timers.js"),
    include_str!("../js/crypto.js"),
    include_str!("../js/encoding.js"),
    include_str!("../js/buffer.js"),
    include_str!("../js/events.js"),
    include_str!("../js/util.js"),
    include_str!("../js/node_crypto.js"),
    include_str!("../js/node_url.js"),
    include_str!("../js/fs.js"),
    include_str!("../js/node.js"),
    include_str!("../js/console.js"),
    include_str!("../js/app.js"),
    "})();\n",
);
