// Where the offline Debian mirror lives in the guest. The mirror runs in a network namespace of
// its own, joined to the guest by a veth pair: a listener there cannot collide with anything a
// container publishes on the guest (on Linux a wildcard bind of port 80 fails while any address
// of the same namespace listens on 80). Containers reach it through their default route.

/** The mirror's address: its HTTP server (port 80) and name server (port 53). */
export const MIRROR_ADDRESS = '10.86.0.53';
/** The guest's end of the veth pair, and the mirror's default route back. */
export const MIRROR_GATEWAY = '10.86.0.54';
export const MIRROR_PREFIX_LEN = 30;
/** The guest-side veth name (`ip addr` shows it). */
export const MIRROR_VETH = 'wb-mirror';

/** The archive on the 9p share (vm-images/dist/mirror on the host). */
export const MIRROR_ROOT = '/mnt/host/mirror';

/**
 * Host names the name server answers with MIRROR_ADDRESS: the hosts Debian's sources lists name
 * (the image's own, and the usual others a learner might write). Everything else is NXDOMAIN.
 */
export const MIRROR_HOSTS = ['deb.debian.org', 'security.debian.org', 'ftp.debian.org', 'httpredir.debian.org', 'cdn-fastly.deb.debian.org'];

/** URL path prefixes served from the archive root (http://deb.debian.org/debian, .../debian-security). */
export const MIRROR_URL_PREFIXES = ['/debian/', '/debian-security/'];
