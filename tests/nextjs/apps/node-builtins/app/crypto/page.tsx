import crypto, { createHash, createHmac } from "node:crypto";
import { randomBytes, randomUUID, timingSafeEqual } from "crypto";
import { Cases } from "../../lib/cases";

export const dynamic = "force-dynamic";

export default function CryptoPage() {
  return (
    <Cases
      title="crypto"
      cases={[
        ["md5", () => createHash("md5").update("hello").digest("hex")],
        ["sha1", () => createHash("sha1").update("hello").digest("hex")],
        ["sha256 base64", () => createHash("sha256").update("hello").digest("base64")],
        ["sha384", () => crypto.createHash("sha384").update("hello").digest("hex")],
        ["sha512 chained", () => createHash("sha512").update("hel").update(Buffer.from("lo")).digest("base64url")],
        ["digest is a Buffer", () => Buffer.isBuffer(createHash("md5").update("x").digest())],
        ["hex input", () => createHash("sha256").update("68656c6c6f", "hex").digest("hex")],
        ["etag of a file", () => `"${createHash("sha1").update("<p>page</p>").digest("base64").slice(0, 27)}"`],
        ["hmac sha256", () => createHmac("sha256", "secret").update("message").digest("hex")],
        ["hmac md5", () => createHmac("md5", "key").update("data").digest("hex")],
        ["randomBytes", () => [Buffer.isBuffer(randomBytes(8)), randomBytes(8).length]],
        ["randomUUID shape", () => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(randomUUID())],
        ["randomInt range", () => {
          const n = crypto.randomInt(10, 20);
          return n >= 10 && n < 20;
        }],
        ["timingSafeEqual", () => [timingSafeEqual(Buffer.from("a"), Buffer.from("a")), timingSafeEqual(Buffer.from("a"), Buffer.from("b"))]],
        ["timingSafeEqual lengths", () => timingSafeEqual(Buffer.from("a"), Buffer.from("ab"))],
        ["unknown hash", () => createHash("nope")],
      ]}
    />
  );
}
