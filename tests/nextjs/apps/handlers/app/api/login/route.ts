import { NextResponse } from "next/server";

export const dynamic = "force-dynamic";

export function GET() {
  const response = NextResponse.json({ ok: true });
  response.cookies.set("session", "abc 123", { httpOnly: true, maxAge: 3600 });
  response.cookies.set({ name: "theme", value: "dark", sameSite: "lax" });
  return response;
}
