import { NextRequest, NextResponse } from "next/server";

export const dynamic = "force-dynamic";

export function GET(request: NextRequest) {
  const q = request.nextUrl.searchParams.get("q");
  const tags = request.nextUrl.searchParams.getAll("tag");
  const theme = request.cookies.get("theme")?.value ?? null;
  return NextResponse.json({ path: request.nextUrl.pathname, q, tags, theme });
}
