//! gRPC's health checking protocol (`grpc.health.v1.Health/Check`), sans-I/O: the request
//! message for a service, framed as gRPC frames messages, and the answer's serving status
//! read back.
//!
//! The two messages are one field each (`HealthCheckRequest { string service = 1; }`,
//! `HealthCheckResponse { ServingStatus status = 1; }`), so they are written and read here
//! by their protobuf wire format directly rather than through generated code. A gRPC message
//! is framed as a compressed flag byte (0: not compressed), a 4-byte big-endian length, then
//! the message.

/// The method's path.
pub const CHECK_PATH: &str = "/grpc.health.v1.Health/Check";

/// `ServingStatus.SERVING`.
const SERVING: u64 = 1;

/// The framed request asking about `service` (`""`: the server as a whole).
pub fn check_request(service: &str) -> Vec<u8> {
    let mut message = Vec::with_capacity(service.len() + 4);
    if !service.is_empty() {
        // Field 1, wire type 2 (length-delimited); proto3 leaves an empty string out.
        message.push(0x0a);
        put_varint(&mut message, service.len() as u64);
        message.extend_from_slice(service.as_bytes());
    }
    let mut framed = Vec::with_capacity(5 + message.len());
    framed.push(0);
    framed.extend_from_slice(
        &u32::try_from(message.len())
            .unwrap_or(u32::MAX)
            .to_be_bytes(),
    );
    framed.extend_from_slice(&message);
    framed
}

/// Whether the framed answer says `SERVING`; `None` if it is not one framed, uncompressed
/// `HealthCheckResponse`.
pub fn serving(framed: &[u8]) -> Option<bool> {
    let (&flag, rest) = framed.split_first()?;
    if flag != 0 || rest.len() < 4 {
        return None;
    }
    let (length, mut message) = rest.split_at(4);
    let length = u32::from_be_bytes(length.try_into().ok()?) as usize;
    if message.len() != length {
        return None;
    }
    // An absent status is UNKNOWN (0), proto3's default.
    let mut status = 0;
    while let Some((&tag, rest)) = message.split_first() {
        message = rest;
        match tag & 7 {
            0 => {
                let (value, rest) = varint(message)?;
                message = rest;
                if tag >> 3 == 1 {
                    status = value;
                }
            }
            2 => {
                let (len, rest) = varint(message)?;
                message = rest.get(usize::try_from(len).ok()?..)?;
            }
            5 => message = message.get(4..)?,
            1 => message = message.get(8..)?,
            _ => return None,
        }
    }
    Some(status == SERVING)
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn varint(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut value = 0u64;
    for (i, &byte) in bytes.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, &bytes[i + 1..]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_framed_messages_of_the_service_name() {
        assert_eq!(check_request(""), [0, 0, 0, 0, 0]);
        assert_eq!(
            check_request("pkg.Svc"),
            [&[0, 0, 0, 0, 9, 0x0a, 7][..], b"pkg.Svc"].concat()
        );
        let long = "s".repeat(200);
        let framed = check_request(&long);
        // A length past 127 takes two varint bytes.
        assert_eq!(&framed[..8], &[0, 0, 0, 0, 203, 0x0a, 0xc8, 0x01]);
    }

    #[test]
    fn answers_are_read_for_their_status() {
        let cases: &[(&[u8], Option<bool>)] = &[
            (&[0, 0, 0, 0, 2, 0x08, 1], Some(true)),
            (&[0, 0, 0, 0, 2, 0x08, 2], Some(false)),
            (&[0, 0, 0, 0, 2, 0x08, 3], Some(false)),
            // UNKNOWN, left out as proto3 leaves defaults out.
            (&[0, 0, 0, 0, 0], Some(false)),
            // An unknown field before the status is skipped.
            (&[0, 0, 0, 0, 5, 0x12, 1, b'x', 0x08, 1], Some(true)),
            // Compressed, short, or a length that does not match.
            (&[1, 0, 0, 0, 2, 0x08, 1], None),
            (&[0, 0, 0], None),
            (&[0, 0, 0, 0, 3, 0x08, 1], None),
            // A varint that never ends.
            (&[0, 0, 0, 0, 2, 0x08, 0x80], None),
        ];
        for (framed, want) in cases {
            assert_eq!(serving(framed), *want, "{framed:?}");
        }
    }
}
