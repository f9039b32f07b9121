import esmDefault, { helper } from "esm-pkg";
import { sub } from "esm-pkg/sub";
import { feature } from "esm-pkg/features/x";
import { which } from "module-field-pkg";
import { scoped } from "@scope/pkg";
import plain from "plain-pkg";

export default function Page() {
  return { esmDefault, helper: helper(), sub, feature, which, scoped, plain };
}
