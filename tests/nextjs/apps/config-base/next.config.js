// A site under a base path, with trailing slashes, in CommonJS.
/** @type {import('next').NextConfig} */
module.exports = {
  basePath: "/shop",
  trailingSlash: true,
  reactStrictMode: true,
  async redirects() {
    return [
      { source: "/old", destination: "/about", permanent: true },
      { source: "/outside", destination: "/elsewhere", basePath: false, permanent: false },
    ];
  },
  async headers() {
    return [{ source: "/about", headers: [{ key: "x-about", value: "1" }] }];
  },
};
