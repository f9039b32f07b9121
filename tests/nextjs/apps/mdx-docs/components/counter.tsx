export function Steps({ count }: { count: number }) {
  return (
    <ol className="steps">
      {Array.from({ length: count }, (_, i) => (
        <li key={i}>Step {i + 1}</li>
      ))}
    </ol>
  );
}
