// Redirects, rewrites (all three phases), headers and env, evaluated once at start.
const nextConfig = {
  poweredByHeader: false,
  env: { SITE_NAME: "Config Site" },
  async redirects() {
    return [
      { source: "/old-about", destination: "/about", permanent: true },
      { source: "/news/:slug", destination: "/blog/:slug", permanent: false },
      { source: "/archive/:path*", destination: "/docs/:path*", permanent: true },
      { source: "/post/:id(\\d{1,})", destination: "/blog/post-:id", statusCode: 301 },
      { source: "/away", destination: "https://example.com/landing", permanent: false },
      {
        source: "/members",
        has: [{ type: "cookie", key: "session" }],
        destination: "/about?from=members",
        permanent: false,
      },
      {
        source: "/members",
        missing: [{ type: "cookie", key: "session" }],
        destination: "/landing",
        permanent: false,
      },
      {
        source: "/lang",
        has: [{ type: "header", key: "accept-language", value: "(?<lang>de|fr).*" }],
        destination: "/landing?lang=:lang",
        permanent: false,
      },
      { source: "/search", has: [{ type: "query", key: "q" }], destination: "/blog/:q", permanent: false },
    ];
  },
  async rewrites() {
    return {
      beforeFiles: [{ source: "/about", has: [{ type: "query", key: "preview" }], destination: "/landing" }],
      afterFiles: [
        { source: "/hello/:name", destination: "/blog/:name" },
        { source: "/guide/:rest*", destination: "/docs/:rest*" },
        { source: "/blog/featured", destination: "/landing" },
      ],
      fallback: [{ source: "/:path*", destination: "/old-site" }],
    };
  },
  async headers() {
    return [
      { source: "/:path*", headers: [{ key: "x-site", value: "config" }] },
      { source: "/blog/:slug", headers: [{ key: "x-blog-slug", value: ":slug" }] },
      {
        source: "/about",
        has: [{ type: "header", key: "x-debug" }],
        headers: [{ key: "x-debug-seen", value: "yes" }],
      },
    ];
  },
};

export default nextConfig;
