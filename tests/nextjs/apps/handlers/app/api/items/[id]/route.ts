import { NextResponse } from "next/server";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!/^\d+$/.test(id)) {
    return NextResponse.json({ error: "not a number", id }, { status: 400 });
  }
  return NextResponse.json({ id: Number(id), double: Number(id) * 2 });
}
