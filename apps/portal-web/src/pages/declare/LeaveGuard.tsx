import { useEffect } from 'react';
import { Button, Group, Modal, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useBlocker } from 'react-router-dom';

/**
 * Asks before leaving a form with unsaved work: the browser's own prompt on reload or tab close (beforeunload),
 * and a dialog for navigation inside the portal (issue 18, item 2). `shouldBlock` is asked at each navigation, so
 * the page can let its own navigation through (after declaring) without waiting for a render.
 */
export function LeaveGuard({ shouldBlock, message, onDiscard }: { shouldBlock: () => boolean; message: string; onDiscard: () => void }) {
  const blocker = useBlocker(({ currentLocation, nextLocation }) => currentLocation.pathname !== nextLocation.pathname && shouldBlock());
  const active = shouldBlock();
  const { t } = useTranslation();

  useEffect(() => {
    if (!active) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      // Chromium before 119 and Safari still want returnValue set.
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [active]);

  const open = blocker.state === 'blocked';
  return (
    <Modal opened={open} onClose={() => blocker.reset?.()} title={t('leave.title')} centered>
      <Text size="sm" mb="md">
        {message}
      </Text>
      <Group justify="flex-end" gap="sm">
        <Button variant="default" onClick={() => blocker.reset?.()} data-autofocus>
          {t('leave.stay')}
        </Button>
        <Button variant="light" onClick={() => blocker.proceed?.()}>
          {t('leave.leaveKeep')}
        </Button>
        <Button
          color="red.9"
          onClick={() => {
            onDiscard();
            blocker.proceed?.();
          }}
        >
          {t('leave.discard')}
        </Button>
      </Group>
    </Modal>
  );
}
