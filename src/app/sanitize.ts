// Lesson markdown is data, not code, for the page: an instructor's lesson (or a copy of one from
// anywhere) must not run script in a learner's browser. Everything the lesson pane renders with
// {@html} goes through here: marked turns the markdown into HTML, DOMPurify then drops scripts,
// event handlers, javascript: URLs, iframes, forms and the rest of what could act.
import DOMPurify from 'dompurify';
import { marked } from 'marked';

const OPTIONS = {
  // Lesson text needs prose, lists, tables, code and images; nothing that embeds or submits.
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'frame', 'object', 'embed', 'base', 'meta', 'link'],
  FORBID_ATTR: ['style'],
};

let hooked = false;
function purify(html: string): string {
  if (!hooked) {
    // Links leave the app in a tab of their own and cannot reach back to it (window.opener).
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A' && node.hasAttribute('href')) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      }
    });
    hooked = true;
  }
  return DOMPurify.sanitize(html, OPTIONS);
}

/** A block of lesson markdown as safe HTML. */
export function lessonHtml(markdown: string): string {
  return purify(marked.parse(markdown, { async: false }));
}

/** One line of lesson markdown (a quiz question or choice, a hint) as safe inline HTML. */
export function lessonInlineHtml(markdown: string): string {
  return purify(marked.parseInline(markdown, { async: false }));
}
