import {
  ActionIcon,
  AppShell,
  Burger,
  Button,
  Center,
  Group,
  Loader,
  NavLink,
  SegmentedControl,
  Text,
  Title,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Suspense } from 'react';
import { NavLink as RouterLink, Outlet, useLocation } from 'react-router';
import { useI18n } from '../i18n/i18n.context';
import type { Language } from '../i18n/messages';
import { useSession } from '../session/session.context';
import { pagesFor } from './console-pages';

export function ConsoleLayout() {
  const { t, lang, setLang } = useI18n();
  const { signOut, user } = useSession();
  // Only the pages the signed-in person can use (a user its account, an org admin its org's pages; see pagesFor).
  const pages = pagesFor(user);
  const [opened, { toggle, close }] = useDisclosure(false);
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  const { pathname } = useLocation();
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.toggle')} />
            <Title order={1} size="h4">
              {t('app.title')}
            </Title>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <SegmentedControl
              size="xs"
              aria-label={t('lang.label')}
              value={lang}
              onChange={(v) => setLang(v as Language)}
              data={[
                { value: 'en', label: 'EN' },
                { value: 'zh', label: '中文' },
              ]}
            />
            <ActionIcon
              variant="default"
              size="lg"
              data-testid="theme-toggle"
              aria-label={scheme === 'dark' ? t('theme.toLight') : t('theme.toDark')}
              onClick={() => setColorScheme(scheme === 'dark' ? 'light' : 'dark')}
            >
              <span aria-hidden="true">{scheme === 'dark' ? '☀' : '☾'}</span>
            </ActionIcon>
            {user && (
              <Text size="sm" visibleFrom="sm" data-testid="signed-in-as">
                {user.name}
              </Text>
            )}
            <Button variant="default" size="xs" onClick={() => void signOut()}>
              {t('session.signOut')}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label={t('nav.label')}>
        {pages.map((p) => (
          <NavLink
            key={p.path}
            component={RouterLink}
            to={p.path}
            label={t(p.label)}
            active={pathname === p.path || pathname.startsWith(`${p.path}/`)}
            onClick={close}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main id="main">
        {/* Each page is its own chunk: a spinner while the one opened arrives. */}
        <Suspense
          fallback={
            <Center p="lg">
              <Loader size="sm" aria-label={t('common.loading')} />
            </Center>
          }
        >
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
