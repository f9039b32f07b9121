import { Cases } from "../../lib/cases";

export const dynamic = "force-dynamic";

// `process` as server code sees it (imports of Node built-ins bext does not provide, such as
// child_process, are refused at start-up: render/tests/link_errors.rs).
export default function ProcessPage() {
  return (
    <Cases
      title="process"
      cases={[
        ["cwd is absolute", () => process.cwd().startsWith("/")],
        ["NODE_ENV", () => process.env.NODE_ENV],
      ]}
    />
  );
}
