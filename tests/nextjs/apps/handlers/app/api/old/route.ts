import { NextResponse } from "next/server";

export function GET() {
  return NextResponse.redirect("http://localhost/api/echo?q=moved");
}
