/**
 * Passkeys and OIDC: the sign-in page's extra buttons and the account's passkeys panel. The buttons do not start with
 * "Sign in", so the password form's "Sign in" stays the one button of that name.
 */
export const passkeysEn = {
  'signIn.or': 'or',
  'signIn.withProvider': 'Continue with {name}',
  'signIn.withPasskey': 'Use a passkey',
  'signIn.error.oidc_state': 'The sign-in took too long or was started in another browser; try again.',
  'signIn.error.oidc_not_linked': 'No account is linked to this sign-in and registration is off; ask an administrator.',
  'signIn.error.account_disabled': 'This account is disabled.',
  'signIn.error.other': 'The provider sign-in failed; try again.',
  'passkeys.title': 'Passkeys',
  'passkeys.hint': 'A passkey signs you in without a password (your device checks your fingerprint, face or PIN).',
  'passkeys.none': 'No passkeys yet.',
  'passkeys.name': 'Passkey name',
  'passkeys.add': 'Add a passkey',
  'passkeys.rename': 'Rename',
  'passkeys.save': 'Save',
  'passkeys.delete': 'Delete',
  'passkeys.created': 'Added {date}',
  'passkeys.lastUsed': 'last used {date}',
  'passkeys.unsupported': 'This browser does not support passkeys.',
};

export const passkeysZh: Record<keyof typeof passkeysEn, string> = {
  'signIn.or': '或',
  'signIn.withProvider': '通过 {name} 继续',
  'signIn.withPasskey': '使用通行密钥',
  'signIn.error.oidc_state': '登录耗时过长，或在另一个浏览器中开始；请重试。',
  'signIn.error.oidc_not_linked': '没有账户关联此登录，且注册已关闭；请联系管理员。',
  'signIn.error.account_disabled': '此账户已被禁用。',
  'signIn.error.other': '通过身份提供方登录失败；请重试。',
  'passkeys.title': '通行密钥',
  'passkeys.hint': '通行密钥无需密码即可登录（由设备验证指纹、面容或 PIN）。',
  'passkeys.none': '尚无通行密钥。',
  'passkeys.name': '通行密钥名称',
  'passkeys.add': '添加通行密钥',
  'passkeys.rename': '重命名',
  'passkeys.save': '保存',
  'passkeys.delete': '删除',
  'passkeys.created': '添加于 {date}',
  'passkeys.lastUsed': '最近使用 {date}',
  'passkeys.unsupported': '此浏览器不支持通行密钥。',
};
