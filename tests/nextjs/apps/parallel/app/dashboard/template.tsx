export default function DashboardTemplate({ children }: { children: React.ReactNode }) {
  return <div className="template">Template start {children} Template end</div>;
}
