// The CSP build exposes the same API as Alpine (only its expression evaluator differs), and
// ships no types of its own.
declare module '@alpinejs/csp' {
  import Alpine from 'alpinejs'
  export default Alpine
}
