import cjs, { named, fn } from "cjs-pkg";
import * as cjsNamespace from "cjs-pkg";
import babel, { extra } from "babel-pkg";
import callMe from "func-pkg";
import * as funcNamespace from "func-pkg";
import React from "react";
import { version } from "react";

export default function Page() {
  return {
    defaultNamed: cjs.named,
    named,
    fn: fn(),
    namespaceDefault: cjsNamespace.default.named,
    namespaceNamed: cjsNamespace.named,
    babel: babel(),
    extra,
    callMe: callMe(),
    prop: callMe.prop,
    funcNamespace: funcNamespace.default(),
    env: cjs.env,
    optional: cjs.optional,
    react: React.version,
    reactNamed: version,
  };
}
