//! Data-driven tests of the sans-I/O HTTP/1.1 codec: byte literals in, rendered outcomes out.
//! One binary with a module per codec part, to keep link time down.

mod body;
mod conn;
mod date;
mod request;
mod request_limits;
mod response;
