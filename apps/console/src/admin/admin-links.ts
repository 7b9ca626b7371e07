/** The admin pages, in the order the navigation shows them (admins only), labelled as in `Admin: …`. */
export const ADMIN_LINKS: ReadonlyArray<{ href: string; label: string }> = [
  { href: '/admin/tokens', label: 'tokens' },
  { href: '/admin/groups', label: 'group mappings' },
  { href: '/admin/sso', label: 'SSO' },
  { href: '/admin/credentials', label: 'credentials' },
  { href: '/admin/drift', label: 'tool drift' },
  { href: '/admin/servers', label: 'servers' },
  { href: '/admin/profiles', label: 'profiles' },
];
