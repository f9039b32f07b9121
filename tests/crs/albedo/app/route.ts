// albedo answers any request 200 with no body: the root answers as every other path does.
export { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } from "./[...path]/route";
