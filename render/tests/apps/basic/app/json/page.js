import data from "./data.json";
import { name } from "./data.json";
import config from "@/lib/config";

export default function Page() {
  return { name: data.name, named: name, list: data.list, config };
}
