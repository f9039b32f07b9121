//! Plain TCP: the runtime's stream as a [`Transport`].

use std::io;

use bytes::Bytes;

use bext_shards::rt::{BufResult, TcpReader, TcpStream, TcpWriter};

use super::{Transport, TransportRead, TransportWrite};

impl Transport for TcpStream {
    type Reader = TcpReader;
    type Writer = TcpWriter;

    fn split(self) -> (TcpReader, TcpWriter) {
        self.into_split()
    }

    async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize> {
        TcpStream::read(self, buf).await
    }

    async fn readable(&mut self) -> io::Result<()> {
        TcpStream::readable(self).await
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

impl TransportRead for TcpReader {
    async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize> {
        TcpReader::read(self, buf).await
    }
}

impl TransportWrite for TcpWriter {
    async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()> {
        TcpWriter::write_all(self, buf).await
    }

    async fn shutdown_write(&mut self) -> io::Result<()> {
        TcpWriter::shutdown_write(self).await
    }
}
