export async function GET(request) {
  return "hello " + request;
}
