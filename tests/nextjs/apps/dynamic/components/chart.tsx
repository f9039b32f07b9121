export default function Chart({ points }: { points: number[] }) {
  return (
    <figure>
      Chart of {points.length} points: {points.join(", ")}
    </figure>
  );
}
