import { redirect } from "next/navigation";

export default function Go() {
  redirect("/about");
}
