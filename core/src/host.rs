//! The `Host` header as both local servers (keyprobe serve, mock-sts) read it before deciding
//! whether a request is addressed to them (DNS rebinding is refused on that decision).

/// Splits `name:port` or `[v6]:port` into the name and the port. A Host without a port names port
/// 80; `None` when the port is not a number or a bracketed IPv6 address is not closed.
pub fn split_host(host: &str) -> Option<(&str, u16)> {
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => {
            let (v6, after) = rest.split_once(']')?;
            (v6, after.strip_prefix(':').unwrap_or(""))
        }
        None => host.rsplit_once(':').unwrap_or((host, "")),
    };
    let port = if port.is_empty() {
        80
    } else {
        port.parse().ok()?
    };
    Some((name, port))
}

#[cfg(test)]
mod tests {
    use super::split_host;

    #[test]
    fn names_and_ports() {
        assert_eq!(split_host("127.0.0.1:8080"), Some(("127.0.0.1", 8080)));
        assert_eq!(split_host("localhost"), Some(("localhost", 80)));
        assert_eq!(split_host("[::1]:443"), Some(("::1", 443)));
        assert_eq!(split_host("[::1]"), Some(("::1", 80)));
        assert_eq!(split_host("[::1:443"), None);
        assert_eq!(split_host("host:port"), None);
        assert_eq!(split_host("host:70000"), None);
    }
}
