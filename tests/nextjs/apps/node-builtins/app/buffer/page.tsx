import { Buffer as B } from "node:buffer";
import buffer from "buffer";
import { Cases } from "../../lib/cases";

export const dynamic = "force-dynamic";

export default function BufferPage() {
  return (
    <Cases
      title="Buffer"
      cases={[
        ["global is the module's", () => Buffer === B && buffer.Buffer === B],
        ["utf8 to hex", () => Buffer.from("héllo wörld").toString("hex")],
        ["base64", () => Buffer.from("héllo wörld €").toString("base64")],
        ["base64url", () => Buffer.from([0xfb, 0xff, 0xfe, 0x3e]).toString("base64url")],
        ["from base64", () => B.from("aGVsbG8gd29ybGQ=", "base64").toString()],
        ["from hex", () => B.from("e282ac", "hex").toString("utf8")],
        ["latin1", () => B.from("café", "latin1").toJSON()],
        ["utf16le", () => B.from("hé", "utf16le").toString("hex")],
        ["byteLength", () => [Buffer.byteLength("€uro"), Buffer.byteLength("aGk=", "base64")]],
        ["concat", () => Buffer.concat([Buffer.from("ab"), Buffer.from("cd")], 3).toString()],
        ["slice shares memory", () => {
          const b = Buffer.from("hello");
          b.subarray(1, 2)[0] = 0x61;
          return b.toString();
        }],
        ["compare and equals", () => [Buffer.compare(B.from("a"), B.from("b")), B.from("x").equals(B.from("x"))]],
        ["indexOf", () => [B.from("abcabc").indexOf("c"), B.from("abcabc").lastIndexOf("c"), B.from("abc").includes("bc")]],
        ["read ints", () => {
          const b = B.from([0x12, 0x34, 0x56, 0x78, 0xff]);
          return [b.readUInt16BE(0), b.readUInt16LE(0), b.readUInt32LE(0), b.readInt8(4), b.readUInt8(4)];
        }],
        ["write ints", () => {
          const b = B.alloc(6);
          b.writeUInt16BE(0xbeef, 0);
          b.writeInt32LE(-2, 2);
          return b.toString("hex");
        }],
        ["fill and write", () => {
          const b = B.alloc(8, ".");
          b.write("hi", 2);
          return b.toString();
        }],
        ["copy", () => {
          const target = B.alloc(5, "-");
          B.from("xyz").copy(target, 1);
          return target.toString();
        }],
        ["bad encoding", () => Buffer.from("x", "nope" as BufferEncoding)],
      ]}
    />
  );
}
