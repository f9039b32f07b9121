// TypeScript without type syntax: reached as `~lib/util` and as `./util.js`.
export const twice = (n) => n * 2;
