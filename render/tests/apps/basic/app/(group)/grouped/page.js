export default function Grouped() {
  return "grouped";
}
