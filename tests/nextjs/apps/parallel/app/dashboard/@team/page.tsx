export default function Team() {
  return <p>Team: Ada, Grace</p>;
}
