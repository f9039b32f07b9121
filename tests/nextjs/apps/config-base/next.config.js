// A site under a base path, with trailing slashes, in CommonJS.
/** @type {import('next').NextConfig} */
module.exports = {
  basePath: "/shop",
  trailingSlash: true,
  reactStrictMode: true,
  images: { qualities: [50, 80], deviceSizes: [1024, 480], imageSizes: [64], minimumCacheTTL: 60 },
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
