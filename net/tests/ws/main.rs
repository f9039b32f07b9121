//! Data-driven tests of the sans-I/O WebSocket server: the Autobahn testsuite's server cases
//! as byte scripts (a client's masked frames in, the events and the server's frames out),
//! each run with its bytes fed at once and one at a time. One binary with a module per part.

mod autobahn;
mod client;
mod deflate;
mod handshake;
mod limits;
