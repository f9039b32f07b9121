//! Plain TCP: the runtime's stream as a [`Transport`].

use std::io;

use bytes::Bytes;

use bext_shards::rt::{BufResult, TcpStream};

use super::Transport;

impl Transport for TcpStream {
    async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize> {
        TcpStream::read(self, buf).await
    }

    async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()> {
        TcpStream::write_all(self, buf).await
    }

    async fn write_all_gathered(&mut self, head: Vec<u8>, body: Bytes) -> BufResult<()> {
        TcpStream::write_all_gathered(self, head, body).await
    }

    async fn shutdown_write(&mut self) -> io::Result<()> {
        TcpStream::shutdown_write(self).await
    }
}
