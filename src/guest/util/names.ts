// Container names in Docker's style: adjective_surname, e.g. "patient_lovelace".
// The word lists are our own: moods and qualities, and people who shaped computing and science.

export const ADJECTIVES: readonly string[] = [
  'agile', 'amazing', 'ardent', 'bold', 'brave', 'bright', 'busy', 'calm', 'candid', 'careful',
  'cheerful', 'clever', 'cosmic', 'curious', 'daring', 'dazzling', 'eager', 'earnest', 'elated',
  'fearless', 'festive', 'fluffy', 'focused', 'friendly', 'gentle', 'gifted', 'glowing', 'graceful',
  'happy', 'hardy', 'helpful', 'honest', 'humble', 'jolly', 'keen', 'kind', 'lively', 'loyal',
  'lucid', 'merry', 'mighty', 'modest', 'nimble', 'noble', 'patient', 'peaceful', 'playful',
  'polite', 'proud', 'quick', 'quiet', 'radiant', 'serene', 'sharp', 'sincere', 'snappy', 'steady',
  'sunny', 'swift', 'tender', 'thirsty', 'tidy', 'trusty', 'upbeat', 'vibrant', 'vivid', 'warm',
  'wise', 'witty', 'zealous',
];

export const SURNAMES: readonly string[] = [
  'allen', 'babbage', 'backus', 'bardeen', 'bartik', 'berners', 'boole', 'borg', 'brattain',
  'cerf', 'church', 'codd', 'conway', 'curie', 'darwin', 'dijkstra', 'easley', 'einstein',
  'engelbart', 'euler', 'faraday', 'fermi', 'feynman', 'franklin', 'galileo', 'gauss', 'goldberg',
  'goodall', 'hamilton', 'hamming', 'hawking', 'hertz', 'hodgkin', 'hollerith', 'hopper',
  'hypatia', 'jackson', 'jemison', 'johnson', 'kahn', 'kay', 'kepler', 'kernighan', 'knuth',
  'lamarr', 'lamport', 'liskov', 'lovelace', 'maxwell', 'mccarthy', 'meitner', 'mendel',
  'minsky', 'mirzakhani', 'morse', 'newton', 'noether', 'noyce', 'pascal', 'perlman', 'planck',
  'ramanujan', 'ritchie', 'sammet', 'shannon', 'shockley', 'snyder', 'stallman', 'tesla',
  'thompson', 'torvalds', 'turing', 'vaughan', 'volta', 'wilkes', 'wing', 'wozniak', 'yalow',
];

/** A random name; `pick(n)` returns an integer in [0, n). With retry > 0 a digit is appended. */
export function randomName(pick: (n: number) => number, retry = 0): string {
  const name = `${ADJECTIVES[pick(ADJECTIVES.length)]}_${SURNAMES[pick(SURNAMES.length)]}`;
  return retry > 0 ? `${name}${pick(10)}` : name;
}

/** Docker's rule for user-given names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
export const VALID_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
