//! Gateway transport compression, as Discord does it: `compress=zlib-stream`
//! and `compress=zstd-stream` in the gateway URL (one compression context for
//! the whole connection, each frame flushed so that it ends a message: zlib's
//! ends with `00 00 ff ff`), or IDENTIFY's `compress: true` (each payload a
//! zlib stream of its own). Compressed frames are binary; plain ones text.

use std::io::Write as _;

use flate2::{Compress, Compression, FlushCompress, write::ZlibEncoder};
use zstd_safe::{CCtx, InBuffer, OutBuffer, zstd_sys::ZSTD_EndDirective};

/// How one connection's frames are written.
pub(crate) enum Transport {
    Plain,
    /// `compress=zlib-stream`.
    Zlib(Box<Compress>),
    /// `compress=zstd-stream`.
    Zstd(CCtx<'static>),
    /// IDENTIFY's `compress: true`: every payload compressed on its own.
    PerPayload,
}

impl Transport {
    /// The transport a gateway URL's `compress` parameter asks for; `Err`
    /// with the value for one Discord does not know.
    pub(crate) fn from_query(compress: Option<&str>) -> Result<Self, String> {
        match compress {
            None | Some("") => Ok(Self::Plain),
            Some("zlib-stream") => Ok(Self::Zlib(Box::new(Compress::new(
                Compression::fast(),
                true,
            )))),
            Some("zstd-stream") => Ok(Self::Zstd(CCtx::create())),
            Some(other) => Err(other.to_owned()),
        }
    }

    /// The name of the transport, for the transcript.
    pub(crate) fn name(&self) -> Option<&'static str> {
        match self {
            Self::Plain => None,
            Self::Zlib(_) => Some("zlib-stream"),
            Self::Zstd(_) => Some("zstd-stream"),
            Self::PerPayload => Some("zlib per payload"),
        }
    }

    /// Whether frames are binary (compressed).
    pub(crate) fn is_compressed(&self) -> bool {
        !matches!(self, Self::Plain)
    }

    /// `frame` compressed for this transport (`None` for plain text).
    pub(crate) fn compress(&mut self, frame: &[u8]) -> Option<Vec<u8>> {
        match self {
            Self::Plain => None,
            Self::Zlib(zlib) => Some(zlib_flush(zlib, frame)),
            Self::Zstd(zstd) => Some(zstd_flush(zstd, frame)),
            Self::PerPayload => {
                let mut encoder =
                    ZlibEncoder::new(Vec::with_capacity(frame.len() / 2), Compression::fast());
                // Writing to a Vec cannot fail.
                let _ = encoder.write_all(frame);
                Some(encoder.finish().unwrap_or_default())
            }
        }
    }
}

/// `input` through the connection's zlib stream, sync-flushed.
fn zlib_flush(zlib: &mut Compress, input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 2 + 64);
    let mut consumed = 0;
    loop {
        let before = zlib.total_in();
        if zlib
            .compress_vec(&input[consumed..], &mut out, FlushCompress::Sync)
            .is_err()
        {
            break;
        }
        consumed += usize::try_from(zlib.total_in() - before).unwrap_or(usize::MAX);
        // Done once all input is in and the flush left room to spare.
        if consumed >= input.len() && out.len() < out.capacity() {
            break;
        }
        out.reserve(out.capacity().max(64));
    }
    out
}

/// `input` through the connection's zstd stream, flushed.
fn zstd_flush(zstd: &mut CCtx<'static>, input: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(input.len() / 2 + 64);
    let mut source = InBuffer::around(input);
    loop {
        if out.capacity() - out.len() < 64 {
            out.reserve(out.capacity().max(64));
        }
        let pos = out.len();
        let mut sink = OutBuffer::around_pos(&mut out, pos);
        let left = zstd.compress_stream2(&mut sink, &mut source, ZSTD_EndDirective::ZSTD_e_flush);
        match left {
            Ok(0) if source.pos() == input.len() => break,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    #[test]
    fn zlib_stream_frames_end_a_message_and_share_one_context() {
        let mut transport = Transport::from_query(Some("zlib-stream")).unwrap();
        let first = transport.compress(br#"{"op":10}"#).unwrap();
        let second = transport.compress(br#"{"op":11}"#).unwrap();
        assert!(first.ends_with(&[0, 0, 0xff, 0xff]) && second.ends_with(&[0, 0, 0xff, 0xff]));
        // One decompressor reads both, in order (the second needs the first's context).
        let mut inflate = flate2::Decompress::new(true);
        let mut text = Vec::with_capacity(64);
        for frame in [first, second] {
            inflate
                .decompress_vec(&frame, &mut text, flate2::FlushDecompress::Sync)
                .unwrap();
        }
        assert_eq!(text, br#"{"op":10}{"op":11}"#);
    }

    #[test]
    fn zstd_stream_frames_decode_in_order() {
        let mut transport = Transport::from_query(Some("zstd-stream")).unwrap();
        let big = "x".repeat(100_000);
        let frames = [
            transport.compress(br#"{"op":10}"#).unwrap(),
            transport.compress(big.as_bytes()).unwrap(),
        ];
        let mut dctx = zstd_safe::DCtx::create();
        let mut text: Vec<u8> = Vec::with_capacity(200_000);
        for frame in &frames {
            let mut source = InBuffer::around(frame);
            while source.pos() < frame.len() {
                let pos = text.len();
                let mut sink = OutBuffer::around_pos(&mut text, pos);
                dctx.decompress_stream(&mut sink, &mut source).unwrap();
            }
        }
        assert_eq!(text.len(), 9 + 100_000);
        assert!(text.starts_with(br#"{"op":10}x"#));
    }

    #[test]
    fn per_payload_is_a_zlib_stream_each() {
        let mut transport = Transport::PerPayload;
        let frame = transport.compress(br#"{"op":10}"#).unwrap();
        let mut text = String::new();
        flate2::read::ZlibDecoder::new(&frame[..])
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, r#"{"op":10}"#);
    }

    #[test]
    fn unknown_compression_is_named() {
        assert_eq!(
            Transport::from_query(Some("brotli")).err().as_deref(),
            Some("brotli")
        );
    }
}
