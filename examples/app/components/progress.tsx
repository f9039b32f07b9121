export function Progress({ value }: { value: number }) {
  return (
    <div className="progress" title={`${value}%`}>
      <div className="progress-bar" style={{ width: `${value}%` }} />
    </div>
  );
}
