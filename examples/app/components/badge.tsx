import type { Role, Status } from "@/lib/data";

const STATUS_LABELS: Record<Status, string> = {
  active: "Active",
  invited: "Invited",
  suspended: "Suspended",
};

export function StatusBadge({ status }: { status: Status }) {
  return <span className={`badge badge-${status}`}>{STATUS_LABELS[status]}</span>;
}

export function RoleBadge({ role }: { role: Role }) {
  return (
    <span className="role">
      {role === "admin" ? <strong>{role}</strong> : role}
    </span>
  );
}
