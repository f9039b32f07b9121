import "./cycle-d";

export const c = "c";
